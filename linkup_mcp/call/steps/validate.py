"""Arguments against the tool's schema (with its "give A or B"), `fields` against the documented
answer, and local files read in."""

from __future__ import annotations

from linkup_mcp.call import validation
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.files import UploadError, read_upload
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.errors import Code


async def step(call: Call, next: Next) -> Outcome:
    found = validation.call_problems(call.tool, call.args)
    if found:
        return await call.refuse(Code.VALIDATION_ERROR, validation.summary(found), fields=found)
    local = call.spec.local_file
    if local is not None and local.arg in call.args:
        args = dict(call.args)
        rt = call.rt
        try:  # up to LINKUP_MAX_UPLOAD_BYTES from disk: off the event loop
            args[local.into] = await blocking(
                read_upload, local, args.pop(local.arg), rt.upload_dir, rt.max_upload_bytes
            )
        except UploadError as exc:
            problem = [{"field": local.arg, "problem": str(exc)}]
            return await call.refuse(Code.VALIDATION_ERROR, f"Invalid arguments: {exc}", fields=problem)
        call.args = args
    return await next(call)
