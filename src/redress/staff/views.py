from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from redress.core.routes import public


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/sign_in.html")
