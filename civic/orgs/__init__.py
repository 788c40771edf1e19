"""Third Sector organisations (Enti del Terzo Settore): profiles, members, invitations, verification."""
