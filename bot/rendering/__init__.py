"""What people get to read, drawn from what the domain decided: the digest's and the rating's
messages and tables, the coverage chart (png), spreadsheets (xlsx), /audit's change lines."""
