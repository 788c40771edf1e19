"""Follows, in-app notifications and the email outbox that delivers them."""
