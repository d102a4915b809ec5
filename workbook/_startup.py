# Run by IPython as the site's kernel starts (PYTHONSTARTUP, set in jupyter-lite.json by the build),
# in the learner's namespace: hence the del.
from workbook.submit import start_kernel as _workbook_start_kernel

_workbook_start_kernel()
del _workbook_start_kernel
