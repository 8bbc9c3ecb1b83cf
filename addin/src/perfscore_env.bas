Attribute VB_Name = "perfscore_env"
Option Explicit
' Environment check (ribbon button env_check) and the reason a score cell keeps when Python cannot start.
' Checked from VBA, because a missing interpreter or DLL is exactly what RunPython cannot report:
' 1. the interpreter path (perfscore.conf, as xlwings reads it); 2. the xlwings DLL beside it (where
' xlwings' XLPyLoadDLL looks); 3. a probe run of that interpreter as a plain process, which prints ASCII
' lines (perfscore_addin.envcheck.probe). Texts: perfscore_text.Msg (generated from envcheck.MESSAGES).
' EnvReport, ProbeReport, StartupReason and Unescape are pure: the tests run them in pyOpenVBA.

Public Sub OnCheckEnvironment(control As IRibbonControl)
    CheckEnvironment
End Sub

Public Sub CheckEnvironment()
    Dim interp As String, report As String, icon As Long
#If Mac Then
    MsgBox Msg("mac"), vbExclamation, Msg("title")
    Exit Sub
#Else
    interp = InterpreterSetting()
    report = EnvReport(interp, FileFound(interp), DllFolder(interp), DllName(), RunProbe(interp))
    If InStr(1, report, Msg("bad")) > 0 Then icon = vbExclamation Else icon = vbInformation
    MsgBox report, icon, Msg("title")
#End If
End Sub

' ---------------------------------------------------------------- pure

Public Function EnvReport(ByVal interp As String, ByVal interpFound As Boolean, ByVal dllFolder As String, _
                          ByVal dll As String, ByVal probe As String) As String
    Dim r As String, bare As Boolean
    bare = (LCase$(interp) = "python" Or LCase$(interp) = "pythonw" Or interp = "")
    If bare Then
        r = Msg("warn") & Msg("interp_unset") & interp
    ElseIf Not interpFound Then
        EnvReport = Msg("bad") & Msg("interp_missing") & interp & vbLf & Msg("interp_fix") & vbLf & vbLf & Msg("some_bad")
        Exit Function
    Else
        r = Msg("ok") & Msg("interp_ok") & interp
        If dllFolder = "" Then
            r = r & vbLf & Msg("bad") & Msg("dll_missing") & dll & vbLf & Msg("dll_fix")
        Else
            r = r & vbLf & Msg("ok") & Msg("dll_ok") & dllFolder & "\" & dll
        End If
    End If
    r = r & vbLf & ProbeReport(probe)
    If InStr(1, r, Msg("bad")) > 0 Then
        r = r & vbLf & vbLf & Msg("some_bad")
    Else
        r = r & vbLf & vbLf & Msg("all_ok")
    End If
    EnvReport = r
End Function

Public Function ProbeReport(ByVal probe As String) As String
    Dim lines() As String, i As Long, parts() As String, r As String, seen As Boolean
    lines = Split(Replace(probe, vbCr, ""), vbLf)
    For i = LBound(lines) To UBound(lines)
        parts = Split(Trim$(lines(i)) & "   ", " ")
        Select Case parts(0)
            Case "PERFSCORE-PROBE": seen = True
            Case "PYTHON": r = r & Msg("ok") & Msg("python") & parts(2) & " (" & parts(3) & " bit)" & vbLf
            Case "BITS": r = r & Msg("bad") & Msg("bits_mismatch") & parts(2) & " bit / Office " & parts(3) & " bit" & vbLf
            Case "XLWINGS"
                If parts(1) = "OK" Then
                    r = r & Msg("ok") & Msg("xlwings_ok") & parts(2) & vbLf
                ElseIf parts(1) = "MISMATCH" Then
                    r = r & Msg("bad") & Msg("xlwings_mismatch") & parts(3) & ", Python: " & parts(2) & vbLf & Msg("dll_fix") & vbLf
                Else
                    r = r & Msg("bad") & Msg("xlwings_missing") & vbLf
                End If
            Case "PERFSCORE"
                If parts(1) = "OK" Then
                    r = r & Msg("ok") & Msg("perfscore_ok") & parts(2) & vbLf
                Else
                    r = r & Msg("bad") & Msg("perfscore_missing") & Unescape(Rest(lines(i), 2)) & vbLf
                End If
            Case "UDFS"
                If parts(1) = "OK" Then
                    r = r & Msg("ok") & Msg("udfs_ok") & vbLf
                Else
                    r = r & Msg("bad") & Msg("udfs_bad") & Unescape(Rest(lines(i), 2)) & vbLf
                End If
            Case "PROFILE"
                If parts(1) = "OK" Then
                    r = r & Msg("ok") & Msg("profile_ok") & parts(2) & vbLf
                ElseIf parts(1) = "DEFAULT" Then
                    r = r & Msg("ok") & Msg("profile_default") & vbLf
                Else
                    r = r & Msg("bad") & Msg("profile_bad") & Unescape(Rest(lines(i), 3)) & vbLf
                End If
        End Select
    Next i
    If Not seen Then
        If InStr(1, probe, Msg("probe_failed")) = 1 Then  ' the interpreter did not run at all
            r = r & Msg("bad") & probe & vbLf
        Else  ' it ran, but perfscore_addin could not even be imported
            r = r & Msg("bad") & Msg("perfscore_missing") & Unescape(Left$(Trim$(Replace(probe, vbLf, " ")), 300)) & vbLf
        End If
    End If
    If Right$(r, 1) = vbLf Then r = Left$(r, Len(r) - 1)
    ProbeReport = r
End Function

' The reason a score cell keeps (PERFSCORE_REASON) when xlwings could not start Python: Chinese + the original.
Public Function StartupReason(ByVal description As String) As String
    Dim key As String
    If description = "" Then
        StartupReason = ""
        Exit Function
    End If
    If InStr(1, description, "Could not load xlwings", vbTextCompare) > 0 Or InStr(1, description, ".dll", vbTextCompare) > 0 Then
        key = "startup_dll"
    ElseIf InStr(1, description, "Interpreter", vbTextCompare) > 0 Or InStr(1, description, "python", vbTextCompare) > 0 Then
        key = "startup_interp"
    Else
        StartupReason = description  ' a Python error of ours already speaks Chinese
        Exit Function
    End If
    StartupReason = Msg(key) & Msg("original") & description & Msg("close")
End Function

' "\u627e\u4e0d" -> the characters; "\\" -> "\" (Python's ascii() escapes)
Public Function Unescape(ByVal text As String) As String
    Dim i As Long, out As String, ch As String, hexits As String
    i = 1
    Do While i <= Len(text)
        ch = Mid$(text, i, 1)
        If ch = "\" And Mid$(text, i + 1, 1) = "u" And Len(text) >= i + 5 Then
            hexits = Mid$(text, i + 2, 4)
            out = out & ChrW(CLng("&H" & hexits))
            i = i + 6
        ElseIf ch = "\" And Mid$(text, i + 1, 1) = "\" Then
            out = out & "\"
            i = i + 2
        Else
            out = out & ch
            i = i + 1
        End If
    Loop
    Unescape = out
End Function

' pythonw.exe has no console for the probe's output: run python.exe from the same folder
Public Function ConsoleInterpreter(ByVal interp As String) As String
    If LCase$(Right$(interp, 11)) = "pythonw.exe" Then
        ConsoleInterpreter = Left$(interp, Len(interp) - 11) & "python.exe"
    ElseIf LCase$(interp) = "pythonw" Then
        ConsoleInterpreter = "python"
    Else
        ConsoleInterpreter = interp
    End If
End Function

Private Function Rest(ByVal line As String, ByVal skip As Long) As String
    Dim parts() As String, i As Long
    parts = Split(Trim$(line), " ")
    For i = skip To UBound(parts)
        Rest = Rest & IIf(Rest = "", "", " ") & parts(i)
    Next i
End Function

' ---------------------------------------------------------------- Excel and the file system

Private Function InterpreterSetting() As String
    ' as xlwings' XLPyLoadDLL reads it (conf sheet of the workbook, of the add-in, then the conf files)
    InterpreterSetting = GetConfig("INTERPRETER_WIN", "")
    If InterpreterSetting = "" Then InterpreterSetting = GetConfig("INTERPRETER", "pythonw")
End Function

Private Function FileFound(ByVal path As String) As Boolean
    On Error GoTo missing
    If path = "" Then Exit Function
    FileFound = (Len(Dir$(path, vbNormal)) > 0)
    Exit Function
missing:
    FileFound = False
End Function

Private Function DllName() As String
#If Win64 Then
    DllName = "xlwings64-" & XLWINGS_VERSION & ".dll"
#Else
    DllName = "xlwings32-" & XLWINGS_VERSION & ".dll"
#End If
End Function

Private Function DllFolder(ByVal interp As String) As String
    ' the interpreter's folder (standard installation), else its parent (a venv), as XLPyLoadDLL tries them
    Dim here As String
    If InStrRev(interp, "\") = 0 Then Exit Function
    here = Left$(interp, InStrRev(interp, "\") - 1)
    If FileFound(here & "\" & DllName()) Then
        DllFolder = here
    ElseIf InStrRev(here, "\") > 0 Then
        here = Left$(here, InStrRev(here, "\") - 1)
        If FileFound(here & "\" & DllName()) Then DllFolder = here
    End If
End Function

Private Function ProfileName() As String
    ' PERFSCORE_PROFILE of the active workbook (text or a cell); only a plain name is passed on
    Dim v As Variant, i As Long, ch As String
    On Error GoTo none
    v = Application.Evaluate(ActiveWorkbook.Names("PERFSCORE_PROFILE").RefersTo)
    If IsError(v) Then Exit Function
    For i = 1 To Len(CStr(v))
        ch = Mid$(CStr(v), i, 1)
        If Not (ch Like "[A-Za-z0-9_.-]") Then Exit Function
    Next i
    ProfileName = CStr(v)
none:
End Function

Private Function RunProbe(ByVal interp As String) As String
    Dim shell As Object, proc As Object, cmd As String, bits As String
#If Win64 Then
    bits = "64"
#Else
    bits = "32"
#End If
    cmd = """" & ConsoleInterpreter(interp) & """ -c ""import perfscore_addin.envcheck as e; e.probe('" & _
          XLWINGS_VERSION & "', '" & ProfileName() & "', " & bits & ")"""
    On Error GoTo failed
    Set shell = CreateObject("WScript.Shell")
    Set proc = shell.Exec(cmd)
    RunProbe = proc.StdOut.ReadAll & vbLf & proc.StdErr.ReadAll
    Exit Function
failed:
    RunProbe = Msg("probe_failed") & Err.Description
End Function
