"""The web application: models, services, views, forms and CLI of the teacher development and rotation system."""
