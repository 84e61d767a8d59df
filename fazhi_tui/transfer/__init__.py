"""Getting the office's own files in (import) and out (export)."""
