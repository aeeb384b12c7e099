"""Step page (being written): the step bar and guidance for now."""

from models.schema import Step
from ui.chrome import workshop_or_stop
from ui.state import require
from ui.steps import step_header

role = require("facilitator")
step_header(Step.SOLUTIONS, workshop_or_stop(), role.actor)
