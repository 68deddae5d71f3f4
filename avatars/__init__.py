"""vbranch.avatars."""
