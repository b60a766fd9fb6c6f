"""The news tests' posts and attachments: a draft and a published post, each with an image
and a file, stored in a storage folder of the test's own."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from envhub.news import media, workflow
from envhub.news.media_models import PostMedia
from envhub.news.models import Post
from tests.news import media_files as files


@dataclass
class Attached:
    post: Post
    image: PostMedia
    file: PostMedia


def attach(world, post: Post, data: bytes, name: str, kind: str = "image", alt: str = "",
           caption: str = "") -> PostMedia:
    return media.attach(world.actor("editor"), post, media.Upload(
        name=name, stream=io.BytesIO(data), size=len(data), kind=kind,
        alt=alt or ("Biểu đồ chỉ số chất lượng không khí" if kind == "image" else ""),
        caption=caption))


def with_media(world, title: str, publish: bool) -> Attached:
    editor = world.actor("editor")
    post = workflow.create(editor, {"title": title, "category": "air", "body": "Mở đầu"})
    image = attach(world, post, files.png(1600, 900), "Biểu đồ AQI.png",
                   caption="Chỉ số AQI tuần 48")
    file = attach(world, post, files.pdf(), "Báo cáo tuần 48.pdf", kind="file")
    post = workflow.edit(editor, post, {"body": f"Mở đầu\n\n![](media:{image.key})\n\n"
                                               f"[Tải báo cáo](media:{file.key})"})
    if publish:
        workflow.submit(editor, post)
        workflow.publish(world.actor("editor2"), post)
    return Attached(post, image, file)


@pytest.fixture
def drafted(world, library_folder) -> Attached:
    return with_media(world, "Bản nháp có ảnh", publish=False)


@pytest.fixture
def published(world, library_folder) -> Attached:
    return with_media(world, "Tin có ảnh đã đăng", publish=True)


def stored_files(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
