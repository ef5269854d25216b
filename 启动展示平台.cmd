@echo off
rem Double-click start for Windows (the Chinese name means "start the showcase platform").
rem It finds Python 3.11.2 or newer and runs scripts\launch.py, which does the rest: the
rem progress page in the browser, the set-up on first run, the preview, the editor.
rem Keep this file ASCII with CRLF line ends: cmd.exe reads it in the console's code page.
setlocal
cd /d "%~dp0"
set "PYEXE="
call :try py -3.13
if not defined PYEXE call :try py -3.12
if not defined PYEXE call :try py -3.11
if not defined PYEXE call :try python
if not defined PYEXE goto nopython
title Showcase
%PYEXE% scripts\launch.py %*
if errorlevel 1 pause
endlocal
exit /b 0

:try
%* -c "import sys; sys.exit(0 if sys.version_info >= (3, 11, 2) else 1)" >nul 2>nul
if not errorlevel 1 set "PYEXE=%*"
exit /b 0

:nopython
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0scripts\windows\no-python.ps1"
endlocal
exit /b 1
