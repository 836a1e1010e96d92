"""Knowledge: reading documents of every supported format and cutting them into chunks."""
