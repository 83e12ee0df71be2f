"""Publishes call changes from the calls table's stream to the AppSync Events API agents subscribe to."""
