# bash completion for weft. It asks the weft being completed for its
# commands (`weft help --commands`) and for each command's options
# (`weft help --options COMMAND`), so it follows the binary's option table.
_weft()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local weft=${COMP_WORDS[0]} cmd="" i

    # The command is the first word after weft; after the module's path
    # the words belong to the guest, so offer files.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [[ -z $cmd && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$("$weft" help --commands 2>/dev/null)" -- "$cur"))
        COMPREPLY+=($(compgen -f -X '!*.wasm' -- "$cur"))
        compopt -o filenames 2>/dev/null
        return
    fi
    [[ -z $cmd || $cmd == *.wasm ]] && cmd=run

    case $prev in
        --dispatch)
            COMPREPLY=($(compgen -W "direct indirect switch tail" -- "$cur")); return ;;
        --bounds)
            COMPREPLY=($(compgen -W "guard explicit" -- "$cur")); return ;;
        --enable|--disable)
            local names
            names=$("$weft" version 2>/dev/null | sed -n 's/^.*switchable: //p')
            COMPREPLY=($(compgen -W "$names all" -- "$cur")); return ;;
        --dir)
            COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
        --env)
            COMPREPLY=($(compgen -e -- "$cur")); return ;;
        --invoke|--listen|--tcplisten|--max-*|--fuel|--timeout|--runs)
            return ;;
    esac
    if [[ $cmd == help ]]; then
        COMPREPLY=($(compgen -W "$("$weft" help --commands 2>/dev/null)" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$("$weft" help --options "$cmd" 2>/dev/null)" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -X '!*.wasm' -- "$cur") $(compgen -d -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _weft weft
