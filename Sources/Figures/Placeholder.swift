// Placeholder until the Figures work lands.
