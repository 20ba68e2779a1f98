"""Text handling shared by every room: boilerplate cleaning, charset repair, near duplicates."""
