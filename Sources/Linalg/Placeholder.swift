// Placeholder until the Linalg work lands.
