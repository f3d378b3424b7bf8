"""The seed's story as demo data: ``liaison demo`` tells it through the HTTP API of
a running liaison, so a newcomer sees a full dashboard one command after ``make run``.
The tests tell the same story."""
