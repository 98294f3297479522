"""Every Russian text the user sees, one module per feature."""
