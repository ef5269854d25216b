# 启动展示平台.cmd 找不到 Python 3.11.2 或更新版本时运行：用中文对话框说明，
# 有 winget 时提出为当前用户安装 Python 3.12（需要能上网），否则请技术人员安装。
Add-Type -AssemblyName PresentationFramework
$title = "启动展示平台"
$winget = Get-Command winget -ErrorAction SilentlyContinue
if ($winget) {
    $answer = [System.Windows.MessageBox]::Show(
        "这台电脑还没有安装展示平台需要的 Python（3.11 或更新版本）。`n`n是否现在为您安装 Python 3.12？安装约需几分钟，需要能上网。`n选“否”则请技术人员安装。",
        $title, "YesNo", "Question")
    if ($answer -eq "Yes") {
        winget install --id Python.Python.3.12 --exact --scope user --silent --accept-package-agreements --accept-source-agreements
        if ($LASTEXITCODE -eq 0) {
            [System.Windows.MessageBox]::Show("Python 已安装。请再双击一次“启动展示平台”。", $title, "OK", "Information") | Out-Null
        } else {
            [System.Windows.MessageBox]::Show("Python 没有安装成功（可能连不上网）。请技术人员按编辑指南“给技术人员 › 安装与启动”安装。", $title, "OK", "Warning") | Out-Null
        }
    }
} else {
    [System.Windows.MessageBox]::Show(
        "这台电脑还没有安装展示平台需要的 Python（3.11 或更新版本）。`n`n请技术人员安装 Python 3.12（www.python.org，安装时勾选“Add python.exe to PATH”），然后再双击“启动展示平台”。",
        $title, "OK", "Warning") | Out-Null
}
