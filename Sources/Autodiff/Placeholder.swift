// Placeholder until the Autodiff work lands.
