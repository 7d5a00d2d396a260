"""Development and tests only: make the folders the embedded setup writes to, when Django starts."""
