"""Funded projects: money, milestones, indicators and public updates, published openly."""
