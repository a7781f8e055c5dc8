"""The patient records side of the window: patients, visits, marks, drawings, reports."""
