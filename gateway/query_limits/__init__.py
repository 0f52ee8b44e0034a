"""What one query may cost: text, depth, cost and alias limits, checked cheaply before anything runs."""
