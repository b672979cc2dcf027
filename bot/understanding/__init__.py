"""Understanding a message: normalizing, analyzing, matching, crisis detection."""
