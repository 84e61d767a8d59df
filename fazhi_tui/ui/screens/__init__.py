"""The shell's modal screens: help, grid picker, date range, plugin status."""
