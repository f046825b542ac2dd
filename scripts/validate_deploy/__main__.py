"""Runs every section's checks in order, then prints the tally and exits
non-zero when a check failed. Importing a section runs its checks
(common.check runs each as it is defined), so the order of the imports
below is the order of the output."""

import shutil
import sys

# What the checks compare against, read before the first check.
from . import dockerfile, facts  # noqa: F401
# The sections, in the order they print.
from . import k8s_files, k8s_pods, k8s_traffic, k8s_postgres  # noqa: F401
from . import monitoring  # noqa: F401
from . import dockerfile_checks  # noqa: F401
from . import nginx_config, nginx_runs  # noqa: F401
from .common import counts

shutil.rmtree(nginx_runs.WORK, ignore_errors=True)
print(f"validate-deploy: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
sys.exit(1 if counts["failed"] else 0)
