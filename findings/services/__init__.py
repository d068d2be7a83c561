"""Write services of the findings app."""
