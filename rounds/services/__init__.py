"""Write services of the rounds app."""
