"""The MF_ functions in LibreOffice Calc: a Calc add-in generated from ``microsize.udfs``.

``microsize libreoffice install`` builds the extension (``.oxt``) from the functions this
Python has and registers it with LibreOffice; ``microsize recalc BOOK --out DIR``
recalculates a workbook headless with a throwaway profile and writes one CSV per visible
sheet. The code that runs inside LibreOffice's own Python sits in ``uno/``; everything else
here runs in the caller's Python and only builds files and starts processes.
"""
