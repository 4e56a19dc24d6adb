"""Tiny KFP pipelines for the PipelineJob tests (components must live in a real file: kfp
reads their source). ``install_kfp_package=False``: the task runs in the emulator's Python,
which has kfp, so no pip step per task. No ``from __future__ import annotations``: kfp reads
the annotations as types."""

from kfp import dsl

IMAGE = "python:3.11"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def add(a: int, b: int) -> int:
    return a + b


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def write_text(text: str, out: dsl.Output[dsl.Dataset]) -> None:
    with open(out.path, "w") as handle:
        handle.write(text)
    out.metadata["length"] = len(text)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def read_text(data: dsl.Input[dsl.Dataset]) -> str:
    with open(data.path) as handle:
        return handle.read().upper()


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def fail(reason: str) -> None:
    raise ValueError(reason)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def square(x: int) -> int:
    return x * x


@dsl.pipeline(name="arith")
def arith(a: int, b: int = 2, text: str = "hello") -> None:
    total = add(a=a, b=b)
    written = write_text(text=text)
    read_text(data=written.outputs["out"]).after(total)


@dsl.pipeline(name="failing")
def failing(reason: str) -> None:
    fail(reason=reason)


@dsl.pipeline(name="sleeping")
def sleeping(seconds: float = 300.0) -> None:
    sleep(seconds=seconds)


@dsl.pipeline(name="control")
def control(flag: str = "yes") -> None:
    with dsl.If(flag == "yes"):
        add(a=1, b=1)
    with dsl.Else():
        add(a=2, b=2)
    with dsl.ParallelFor(items=[1, 2, 3]) as item:
        square(x=item)


@dsl.container_component
def echo(text: str) -> dsl.ContainerSpec:
    return dsl.ContainerSpec(image="busybox", command=["echo"], args=[text])


@dsl.pipeline(name="container")
def container(text: str = "hi") -> None:
    echo(text=text)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def report(status: dsl.PipelineTaskFinalStatus) -> str:
    return status.state


@dsl.pipeline(name="inner")
def inner(x: int) -> int:
    return square(x=x).output


@dsl.pipeline(name="outer")
def outer(x: int = 3) -> None:
    final = report()
    with dsl.ExitHandler(final):
        nested = inner(x=x)
        add(a=nested.output, b=1)
