"""The pathways service's statements and tables. The tables of projects and funds live in
``funding_models`` beside ``models``; importing the package registers them on the one
``metadata`` (migrations, the schema test), whichever module is imported first."""

from services.pathways.db import funding_models as funding_models
