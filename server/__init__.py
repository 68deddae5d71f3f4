"""vbranch.server."""
