"""Errors of the HTTP API: every one a JSON object with a code and a bilingual message (zh first)."""

from __future__ import annotations

from dataclasses import dataclass

#: code → (HTTP status, zh, en)
ERRORS: dict[str, tuple[int, str, str]] = {
    "no_files": (400, "请求中没有工作簿文件（multipart 表单字段 files）",
                 "the request holds no workbook file (multipart form field 'files')"),
    "bad_multipart": (400, "上传内容无法解析为 multipart 表单：{reason}", "the upload is not a valid multipart form: {reason}"),
    "bad_parameter": (400, "参数 {name} 的值无效：{reason}", "parameter {name} is invalid: {reason}"),
    "unauthorized": (401, "需要 Authorization: Bearer <令牌>", "an Authorization: Bearer <token> header is required"),
    "forbidden": (403, "令牌无效", "the token is not valid"),
    "not_found": (404, "没有这个资源", "no such resource"),
    "link_expired": (404, "下载链接不存在或已过期，请重新校验", "the download link does not exist or has expired; validate again"),
    "method_not_allowed": (405, "不支持此 HTTP 方法", "this HTTP method is not allowed here"),
    "request_too_large": (413, "请求过大：上限 {limit} 字节", "the request is too large: at most {limit} bytes"),
    "file_too_large": (413, "文件 {name} 过大：上限 {limit} 字节", "the file {name} is too large: at most {limit} bytes"),
    "too_many_files": (413, "一次最多上传 {limit} 个文件", "at most {limit} files per request"),
    "not_multipart": (415, "请以 multipart/form-data 上传工作簿", "upload workbooks as multipart/form-data"),
    "not_a_workbook": (415, "上传的文件不是 Excel 工作簿（.xlsx）", "the uploaded files are not Excel workbooks (.xlsx)"),
    "declaration_rejected": (422, "申报未通过校验，未予受理", "the declaration failed validation and was not accepted"),
    "busy": (429, "校验队列已满，请稍后重试", "the validation queue is full; retry shortly"),
    "internal": (500, "服务内部错误", "internal error of the service"),
    "registry_not_configured": (503, "未配置申报登记库（--registry 或 HPCARBON_REGISTRY）",
                                "no registry is configured (--registry or HPCARBON_REGISTRY)"),
}


@dataclass
class ApiError(Exception):
    code: str
    params: dict | None = None
    extra: dict | None = None  # more keys of the body (e.g. the reports of a rejected declaration)
    headers: dict | None = None

    @property
    def status(self) -> int:
        return ERRORS[self.code][0]

    def body(self) -> dict:
        _, zh, en = ERRORS[self.code]
        p = self.params or {}
        out = {"error": {"code": self.code, "message_zh": zh.format(**p), "message_en": en.format(**p),
                         "message": f"{zh.format(**p)} / {en.format(**p)}"}}
        if self.extra:
            out.update(self.extra)
        return out
