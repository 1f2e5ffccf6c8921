"""The ESCO taxonomy (European Skills, Competences, Qualifications and Occupations) in the
matching service: the import of the official CSV export, the committed subset for tests and the
demo, and the label search. ESCO classification, European Commission."""
