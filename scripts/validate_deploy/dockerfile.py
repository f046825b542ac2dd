"""deploy/Dockerfile, parsed up front (the Kubernetes checks need its
USER), and the helpers that read its stages."""

import re

from dockerfile_parse import DockerfileParser

from .common import DEPLOY

DOCKERFILE = DEPLOY / "Dockerfile"
STAGES = []  # [{"from": ..., "name": ..., "instructions": [(instruction, value)]}]
GLOBAL_ARGS = {}
FINAL_USER = None
DOCKERFILE_ERROR = None
try:
    current = None
    for item in DockerfileParser(path=str(DOCKERFILE)).structure:
        instruction, value = item["instruction"], item["value"]
        if instruction == "FROM":
            words = value.split()
            current = {"from": words[0], "name": words[2] if len(words) > 2 and words[1].upper() == "AS" else None,
                       "instructions": []}
            STAGES.append(current)
        elif current is None:
            if instruction == "ARG" and "=" in value:
                key, default = value.split("=", 1)
                GLOBAL_ARGS[key.strip()] = default.strip()
        else:
            current["instructions"].append((instruction, value))
    users = [value for instruction, value in STAGES[-1]["instructions"] if instruction == "USER"]
    FINAL_USER = users[-1] if users else None
except Exception as error:  # reported by the first Dockerfile check
    DOCKERFILE_ERROR = error


def dockerfile_uid():
    return FINAL_USER.split(":")[0] if FINAL_USER else None


def arg_defaults(stage):
    values = dict(GLOBAL_ARGS)
    for instruction, value in stage["instructions"]:
        if instruction == "ARG" and "=" in value:
            key, default = value.split("=", 1)
            values[key.strip()] = default.strip().strip('"')
    return values


def all_args():
    values = dict(GLOBAL_ARGS)
    for stage in STAGES:
        values.update(arg_defaults(stage))
    return values


def env_pairs(value):
    """ENV a=b c=d, or ENV a b."""
    if "=" not in value.split()[0]:
        key, rest = value.split(None, 1)
        return {key: rest}
    return dict(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)', value))


def final(instruction):
    return [value for name, value in STAGES[-1]["instructions"] if name == instruction]
