"""Files in and out: reading inputs, checking --out, records, CSV tables, typed frames."""
