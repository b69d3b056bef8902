"""Announcements, social channels, their delivery outbox, feeds and e-mail subscriptions."""
