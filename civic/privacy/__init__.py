"""A person's rights over their data: take it all out ("My data"), and leave (delete the account)."""
