"""The build-time part of the workbook: Markdown problem sets to validated notebooks and a static site.

Nothing under `workbook/build/` runs in the learner's browser, and the site's wheel leaves this folder
out: it holds the parser, the validator, the notebook and site writers and the command line, which
need markdown-it, nbformat and jupyterlite. The browser part (`workbook.grading`,
`workbook.reference`, `workbook.submit`, `workbook.progress`) must not import from here.
"""
