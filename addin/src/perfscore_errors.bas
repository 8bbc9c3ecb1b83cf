Attribute VB_Name = "perfscore_errors"
Option Explicit
' Why a perfscore function cell shows an error value, and how the user gets the reason back.
'
' xlwings' generated wrapper ends with "failed: F = Err.Description": a Python exception becomes TEXT
' in the cell, and SUM silently skips text, so a total would look valid. The add-in build changes that
' one line to "F = PerfscoreFailed(Err.Description)": the cell gets a real error value (#VALUE!, #N/A,
' ...), which every SUM above it propagates, and the reason is kept per cell for PERFSCORE_REASON.
' Python raises "[#CODE] reason"; any other description (e.g. Python could not start) maps to #VALUE!,
' with a Chinese reason from perfscore_env.StartupReason (then the original text).

Private mKeys As Collection
Private mReasons As Collection
Private mFormulas As Collection

Public Function PerfscoreFailed(ByVal description As String) As Variant
    Dim key As String
    key = CallerKey()
    If key <> "" Then Remember key, ReasonOf(description), CallerFormula()
    PerfscoreFailed = CVErr(ErrorNumberOf(description))
End Function

' =PERFSCORE_REASON(cell): the reason a perfscore function in that cell shows an error; "" when the
' cell holds no error. Depends on the cell, so Excel recalculates it after the cell itself.
Public Function PERFSCORE_REASON(target As Range) As Variant
    Dim cell As Range
    Set cell = target.Cells(1, 1)
    If Not IsError(cell.Value) Then
        PERFSCORE_REASON = ""
        Exit Function
    End If
    PERFSCORE_REASON = Recall(KeyOf(cell), cell.Formula)
End Function

Public Function ErrorNumberOf(ByVal description As String) As Long
    Dim p As Long, q As Long
    ErrorNumberOf = 2015 ' xlErrValue
    p = InStr(1, description, "[#")
    If p = 0 Then Exit Function
    q = InStr(p, description, "]")
    If q = 0 Then Exit Function
    Select Case Mid$(description, p + 1, q - p - 1)
        Case "#NULL!": ErrorNumberOf = 2000
        Case "#DIV/0!": ErrorNumberOf = 2007
        Case "#VALUE!": ErrorNumberOf = 2015
        Case "#REF!": ErrorNumberOf = 2023
        Case "#NAME?": ErrorNumberOf = 2029
        Case "#NUM!": ErrorNumberOf = 2036
        Case "#N/A": ErrorNumberOf = 2042
    End Select
End Function

Public Function ReasonOf(ByVal description As String) As String
    Dim p As Long, q As Long
    p = InStr(1, description, "[#")
    If p > 0 Then q = InStr(p, description, "]")
    If p > 0 And q > 0 Then
        ReasonOf = Trim$(Mid$(description, q + 1))
    Else  ' not from perfscore's Python (e.g. it could not start): Chinese first, the original kept
        ReasonOf = StartupReason(Trim$(description))
    End If
End Function

Private Function CallerKey() As String
    If TypeName(Application.Caller) <> "Range" Then Exit Function
    CallerKey = KeyOf(Application.Caller.Cells(1, 1))
End Function

Private Function CallerFormula() As String
    If TypeName(Application.Caller) <> "Range" Then Exit Function
    CallerFormula = Application.Caller.Cells(1, 1).Formula
End Function

Private Function KeyOf(cell As Range) As String
    KeyOf = cell.Address(True, True, xlA1, True)
End Function

Private Sub Remember(ByVal key As String, ByVal reason As String, ByVal formula As String)
    If mKeys Is Nothing Then
        Set mKeys = New Collection
        Set mReasons = New Collection
        Set mFormulas = New Collection
    End If
    If Contains(mKeys, key) Then
        mKeys.Remove key
        mReasons.Remove key
        mFormulas.Remove key
    End If
    mKeys.Add key, key
    mReasons.Add reason, key
    mFormulas.Add formula, key
End Sub

Private Function Recall(ByVal key As String, ByVal formula As String) As String
    ' A reason recorded for another formula in the same cell is stale: say so instead.
    If Not mKeys Is Nothing Then
        If Contains(mKeys, key) Then
            If mFormulas(key) = formula Then
                Recall = mReasons(key)
                Exit Function
            End If
        End If
    End If
    Recall = NoRecord()
End Function

Private Function Contains(items As Collection, ByVal key As String) As Boolean
    Dim probe As Variant
    On Error GoTo missing
    probe = items(key)
    Contains = True
    Exit Function
missing:
    Contains = False
End Function

Private Function NoRecord() As String
    ' "no reason recorded in this session: recalculate with Ctrl+Alt+F9, or the error does not come from
    ' a perfscore function" (UTF-16 code units; the module stays ASCII).
    NoRecord = U("672C 6B21 672A 8BB0 5F55 539F 56E0 FF1A 8BF7 6309 0020 0043 0074 0072 006C 002B 0041 006C 0074 002B 0046 0039 0020 91CD 7B97 FF0C 6216 8BE5 9519 8BEF 5E76 975E 7EE9 6548 8BC4 5206 51FD 6570 4EA7 751F 3002")
End Function

' Text from UTF-16 code units in hex ("7EE9 6548"): keeps Chinese out of the ASCII module source.
' CLng("&H8BC4") may read as a negative Integer in some VBA versions; ChrW takes both forms.
Public Function U(ByVal units As String) As String
    Dim parts() As String, i As Long
    parts = Split(units, " ")
    For i = LBound(parts) To UBound(parts)
        If parts(i) <> "" Then U = U & ChrW(CLng("&H" & parts(i)))
    Next i
End Function
