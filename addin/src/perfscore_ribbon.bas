Attribute VB_Name = "perfscore_ribbon"
Option Explicit
' The only ribbon callback: every button of customUI14.xml names perfscore_ribbon.OnAction and
' Python decides what control.Id means (perfscore_addin.ribbon.dispatch). Keep this module ASCII.

Public Sub OnAction(control As IRibbonControl)
    RunPython "import perfscore_addin.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub
