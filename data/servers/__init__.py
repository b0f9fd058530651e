"""Server links: HTTP with retries, the Rubrix and Argilla clients, what a session sends and takes back."""
