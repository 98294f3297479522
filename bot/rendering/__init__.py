"""What people get to read: digest texts, charts (png), spreadsheets (xlsx)."""
