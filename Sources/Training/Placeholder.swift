// Placeholder until the Training work lands.
