"""The pathways service's statements and tables. Beside ``models``, the tables of projects and
funds live in ``funding_models`` and the copies of other services' records in ``copy_models``;
importing the package registers them all on the one ``metadata`` (migrations, the schema test),
whichever module is imported first."""

from services.pathways.db import copy_models as copy_models
from services.pathways.db import funding_models as funding_models
