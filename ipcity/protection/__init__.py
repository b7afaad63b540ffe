"""Protection (P3): cases, transfers, complaints, mediation and the dishonesty list."""
