"""The ceiling: a bare FastAPI hello-world under uvicorn, measured in the same run as Ponte."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
