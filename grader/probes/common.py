# What every probe shares; compiled before the probe's own file.
ERROR_CHARS = 300


def _why(exc):
    """One line for the student: the exception and the last line of their cell it passed."""
    text = " ".join(str(exc).split())[:ERROR_CHARS]
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<cell"):
            where = f" (line {tb.tb_lineno} of {tb.tb_frame.f_code.co_filename.strip('<>')})"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"
