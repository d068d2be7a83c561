"""Write services of the core app. Views, forms, admin, commands and tasks call these; nothing else saves."""
