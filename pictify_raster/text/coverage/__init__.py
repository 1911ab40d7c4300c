"""Which characters each font covers, and which font draws each cluster."""
