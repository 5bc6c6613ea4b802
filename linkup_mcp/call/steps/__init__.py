"""The steps of one API tool call, one module each; `call/pipeline.py` holds their order."""
